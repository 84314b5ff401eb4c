// A buyer's order, walked through the client a front end would use: types generated from
// docs/openapi.json by openapi-typescript (generated/api.d.ts), requests sent by openapi-fetch.
//
// `make clients` compiles this with strict tsc against freshly generated types, so a change to the
// document that breaks a front end (a renamed field, a dropped response schema, a path that moved)
// fails the build; tests/clients/test_typescript_client.py also runs it against the local run.
//
//   MARKETPLACE_URL=http://127.0.0.1:8000 BUYER_TOKEN=$(make -s token USER=alice) \
//   SELLER_TOKEN=$(make -s token USER=dana) node dist/walk.js
//
// Steps: the seller's first published gig that asks requirements; the buyer reads it, places an order on its first
// package (O1), answers the requirements so the clock starts (O3); the seller delivers (O6); the
// buyer accepts the delivery and the order completes (O7).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];
type Order = Schemas["OrderOut"];
type Gig = Schemas["GigOut"];
type Answer = Schemas["AnswerIn"];
type Problem = Schemas["Problem"];
type OrderState = Order["state"];
type Action = Schemas["OrderActionOut"]["action"];
/** What openapi-fetch answers: data on a documented success, the Problem otherwise. */
interface Answered<T> {
  data?: T;
  error?: Problem;
  response: Response;
}

function must<T>(step: string, answered: Answered<T>): T {
  const { data, error, response } = answered;
  if (data === undefined) {
    const why = error ? `${error.code}: ${error.detail}${error.rule ? ` (${error.rule})` : ""}` : "no body";
    throw new Error(`${step}: HTTP ${response.status}, ${why}`);
  }
  return data;
}

function expectState(step: string, order: Order, state: OrderState): Order {
  if (order.state !== state) {
    throw new Error(`${step}: order ${order.number} is ${order.state}, expected ${state}`);
  }
  console.log(`${step}: order ${order.number} is ${order.state}`);
  return order;
}

/** The order page names what the caller may do now and the route that does it. */
function expectAction(step: string, order: Order, action: Action, path: string): void {
  const link = order.allowed_actions.find((allowed) => allowed.action === action);
  if (link === undefined || link.method !== "POST" || link.path !== path) {
    throw new Error(`${step}: ${action} is not offered as POST ${path}: ${JSON.stringify(order.allowed_actions)}`);
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`set ${name}`);
  }
  return value;
}

/** One answer per requirement the gig asks: a text, the first option, or nothing for a file. */
function answer(requirement: Gig["requirements"][number]): Answer | undefined {
  switch (requirement.answer_type) {
    case "multiple_choice": {
      const first = requirement.options[0];
      if (first === undefined) {
        throw new Error(`requirement ${requirement.id} offers no option`);
      }
      return { requirement_id: requirement.id, choices: [first] };
    }
    case "file":
      if (requirement.mandatory) {
        throw new Error(`requirement ${requirement.id} needs a file; this walk uploads none`);
      }
      return undefined;
    default:
      return { requirement_id: requirement.id, text: `An answer to: ${requirement.question}` };
  }
}

async function walk(): Promise<Order> {
  const baseUrl = env("MARKETPLACE_URL");
  const buyer = createClient<paths>({ baseUrl, headers: { Authorization: env("BUYER_TOKEN") } });
  const seller = createClient<paths>({ baseUrl, headers: { Authorization: env("SELLER_TOKEN") } });

  const own = must("the seller's gigs", await seller.GET("/me/gigs", { params: { query: { limit: 20 } } }));
  // A gig that asks requirements: the order waits for the buyer's answers before its clock starts.
  const listed = own.items.find((gig) => gig.state === "published" && gig.requirements.length > 0);
  if (listed === undefined) {
    throw new Error("the seller has no published gig with requirements");
  }
  const gig = must("the gig page", await buyer.GET("/gigs/{gig_id}", { params: { path: { gig_id: listed.id } } }));
  const pkg = gig.packages[0];
  if (pkg === undefined) {
    throw new Error(`gig ${gig.id} has no package`);
  }
  console.log(`gig: ${gig.title} (${pkg.tier}, ${pkg.price.amount} ${pkg.price.currency})`);
  const tier = pkg.tier; // a package's tier is the enum an order takes: no check, no cast

  const placed = must("place", await buyer.POST("/orders", {
    body: { gig_id: gig.id, tier },
    headers: { "Idempotency-Key": `walk-${Date.now()}` },
  }));
  const order_id = placed.id;
  const path = { order_id };
  expectState("placed", placed, "awaiting_requirements");
  expectAction("placed", placed, "submit_requirements", `/orders/${order_id}/requirements`);

  const answers = gig.requirements.map(answer).filter((a): a is Answer => a !== undefined);
  const started = must("requirements", await buyer.POST("/orders/{order_id}/requirements", {
    params: { path },
    body: { answers },
  }));
  expectState("requirements answered", started, "in_progress");
  if (started.due_at === null) {
    throw new Error("an order in progress has a due time (O3)");
  }

  const sellers = must("the seller's order page", await seller.GET("/orders/{order_id}", { params: { path } }));
  expectAction("the seller's order page", sellers, "deliver", `/orders/${order_id}/deliveries`);

  const delivered = must("deliver", await seller.POST("/orders/{order_id}/deliveries", {
    params: { path },
    body: { message: "Here is the work: plans attached to the conversation." },
  }));
  expectState("delivered", delivered, "delivered");
  const buyers = must("the buyer's order page", await buyer.GET("/orders/{order_id}", { params: { path } }));
  expectAction("the buyer's order page", buyers, "accept", `/orders/${order_id}/acceptance`);

  const accepted = must("accept", await buyer.POST("/orders/{order_id}/acceptance", { params: { path } }));
  expectState("accepted", accepted, "completed");

  const page = must("the order page", await buyer.GET("/orders/{order_id}", { params: { path } }));
  console.log(`completed: ${page.total.amount} ${page.total.currency}, ${page.history?.length ?? 0} events`);
  return page;
}

walk().then(
  (order) => console.log(`walk done: ${order.id}`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
