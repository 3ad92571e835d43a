import assert from "node:assert/strict";
import {
  BANK_ADDITIONAL_SCHEMA,
  BANK_FULL_SCHEMA,
  BANK_LABEL_COLUMN,
  BANK_LEAK_COLUMNS,
} from "../../../../cluster/sources/bank/schemas.ts";
import { parseCsvSchema } from "../../../../cluster/io/csv/schema.ts";

Deno.test("bank schemas are valid CSV schemas and survive a JSON round trip", () => {
  for (const schema of [BANK_FULL_SCHEMA, BANK_ADDITIONAL_SCHEMA]) {
    assert.deepEqual(parseCsvSchema(JSON.parse(JSON.stringify(schema))), schema);
  }
  assert.equal(BANK_FULL_SCHEMA.fields.length, 17);
  assert.equal(BANK_ADDITIONAL_SCHEMA.fields.length, 21);
  assert.deepEqual(BANK_LEAK_COLUMNS, ["duration"]);
  for (const schema of [BANK_FULL_SCHEMA, BANK_ADDITIONAL_SCHEMA]) {
    const names = schema.fields.map((f) => f.name);
    assert.ok(names.includes("duration") && names.at(-1) === BANK_LABEL_COLUMN);
    for (
      const name of [
        "job",
        "marital",
        "education",
        "default",
        "housing",
        "loan",
        "contact",
        "month",
        "poutcome",
        "y",
      ]
    ) {
      assert.ok(schema.fields.find((f) => f.name === name)?.enum, `${name} has an enum`);
    }
  }
  assert.ok(BANK_ADDITIONAL_SCHEMA.fields.find((f) => f.name === "day_of_week")?.enum);
});
