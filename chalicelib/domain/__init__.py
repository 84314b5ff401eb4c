"""Pure Python: entities, rules, money, events. Imports nothing from AWS, Chalice or PynamoDB."""
