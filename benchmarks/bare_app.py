"""The baseline for the import-time figure: a bare Chalice app that imports boto3, one route."""
import boto3  # noqa: F401  (imported for its cost, as a typical Chalice app does)
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/")
def index() -> dict:
    return {"hello": "world"}
