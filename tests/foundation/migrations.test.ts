import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as snapshotJson from "../../migrations/20261207200000_snapshot_json.ts";
import { currentMigration, migrateDown, migrateLatest } from "../../server/db/migrate.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

const TABLES = [
  "anonymous_events",
  "anonymous_ids",
  "api_keys",
  "audience_members",
  "audiences",
  "audit_log",
  "contact_cooldowns",
  "contact_lookups",
  "contact_rfm",
  "contact_rfm_state",
  "contacts",
  "delivery_providers",
  "enrollment_log",
  "enrollment_steps",
  "enrollment_wakeups",
  "enrollments",
  "events",
  "journey_active_counts",
  "journey_versions",
  "journeys",
  "link_tokens",
  "messages",
  "operators",
  "push_deliveries",
  "push_subscriptions",
  "sessions",
  "settings",
  "suppressions",
];

describe.each(databaseKinds)("migrations on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  const tables = async () =>
    (
      (await db.knex.raw(
        "select table_name from information_schema.tables where table_schema = current_schema() and table_name not like 'knex_%' order by 1",
      )) as { rows: { table_name: string }[] }
    ).rows.map((r) => r.table_name);

  it("go up, down and up again", async () => {
    expect(await currentMigration(db.knex)).toBeNull();
    const applied = await migrateLatest(db.knex);
    expect(applied).toEqual([
      "20261125000000_initial_schema.ts",
      "20261125010000_audiences.ts",
      "20261125020000_lean_hot_tables.ts",
      "20261125030000_message_attribution.ts",
      "20261125040000_enrollment_steps.ts",
      "20261126000000_contact_rfm.ts",
      "20261206010000_anonymous_profiles.ts",
      "20261206030000_delivery_reliability.ts",
      "20261206050000_access_controls.ts",
      "20261206060000_versions_audit.ts",
      "20261206071000_cooldown_applies.ts",
      "20261206071600_pause_entries.ts",
      "20261206072000_draft_as_typed.ts",
      "20261206094500_contacts_external_id_prefix.ts",
      "20261206121500_email_messages.ts",
      "20261206153000_messages_provider_key_idx.ts",
      "20261206160000_operator_locale.ts",
      "20261206170000_push_subscriptions.ts",
      "20261206201000_delivery_providers.ts",
      "20261206202000_message_variant.ts",
      "20261206203000_message_channel_facts.ts",
      "20261206220000_journey_active_counts.ts",
      "20261207010000_provider_key_idx_attempted.ts",
      "20261207020000_enrollment_steps_no_pkey.ts",
      "20261207200000_snapshot_json.ts",
    ]);
    expect(await tables()).toEqual(TABLES);
    expect(await currentMigration(db.knex)).toBe("20261207200000_snapshot_json.ts");
    expect(await migrateLatest(db.knex)).toEqual([]);

    // All ran in one batch, so one rollback reverts them all, newest first.
    expect(await migrateDown(db.knex)).toEqual([
      "20261207200000_snapshot_json.ts",
      "20261207020000_enrollment_steps_no_pkey.ts",
      "20261207010000_provider_key_idx_attempted.ts",
      "20261206220000_journey_active_counts.ts",
      "20261206203000_message_channel_facts.ts",
      "20261206202000_message_variant.ts",
      "20261206201000_delivery_providers.ts",
      "20261206170000_push_subscriptions.ts",
      "20261206160000_operator_locale.ts",
      "20261206153000_messages_provider_key_idx.ts",
      "20261206121500_email_messages.ts",
      "20261206094500_contacts_external_id_prefix.ts",
      "20261206072000_draft_as_typed.ts",
      "20261206071600_pause_entries.ts",
      "20261206071000_cooldown_applies.ts",
      "20261206060000_versions_audit.ts",
      "20261206050000_access_controls.ts",
      "20261206030000_delivery_reliability.ts",
      "20261206010000_anonymous_profiles.ts",
      "20261126000000_contact_rfm.ts",
      "20261125040000_enrollment_steps.ts",
      "20261125030000_message_attribution.ts",
      "20261125020000_lean_hot_tables.ts",
      "20261125010000_audiences.ts",
      "20261125000000_initial_schema.ts",
    ]);
    expect(await tables()).toEqual([]);
    expect(await currentMigration(db.knex)).toBeNull();

    await migrateLatest(db.knex);
    expect(await tables()).toEqual(TABLES);
  });

  it("has the ticker's partial due index and the one-active-enrollment unique index", async () => {
    const { rows } = (await db.knex.raw(
      "select indexname, indexdef from pg_indexes where schemaname = current_schema() and indexname in ('enrollment_wakeups_due_idx', 'enrollments_active_key')",
    )) as { rows: { indexname: string; indexdef: string }[] };
    const defs = Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
    expect(defs.enrollment_wakeups_due_idx).toMatch(/\(wake_at\) WHERE \(wake_at < 'infinity'/);
    expect(defs.enrollments_active_key).toMatch(
      /UNIQUE INDEX .*\(contact_id, journey_id\) WHERE \(status = 'active'/,
    );
  });

  /** A contact, and a journey with one version: what an enrollment row refers to. */
  const contactAndVersion = async (externalId: string, journeyId: string) => {
    const k = db.knex;
    const [contact] = await k("contacts").insert({ external_id: externalId }).returning("id");
    await k("journeys").insert({ id: journeyId, name: "J" });
    const [version] = await k("journey_versions")
      .insert({ journey_id: journeyId, version: 1, definition: JSON.stringify({}) })
      .returning("id");
    return { contact, version };
  };

  it("refuses a second active enrollment for the same contact and journey", async () => {
    const k = db.knex;
    const { contact, version } = await contactAndVersion("u1", "j1");
    const row = {
      contact_id: contact.id,
      journey_id: "j1",
      version_id: version.id,
      current_node: "start",
      snapshot: "{}",
    };
    await k("enrollments").insert(row);
    await expect(k("enrollments").insert(row)).rejects.toThrow(
      /enrollments_active_key|duplicate key/,
    );
    // A finished enrollment does not block re-entry.
    await k("enrollments").where({ contact_id: contact.id }).update({ status: "completed" });
    await k("enrollments").insert(row);
    const { count } = (await k("enrollments").count("* as count").first()) as {
      count: string | number;
    };
    expect(Number(count)).toBe(2);
  });

  it("stores snapshots as json, and a jsonb snapshot converts both ways intact", async () => {
    const k = db.knex;
    const { contact, version } = await contactAndVersion("u-snap", "j-snap");
    const snapshot = {
      versionId: String(version.id),
      state: "wait",
      status: "active",
      context: { key: "e1", visits: { wait: 2 }, sends: {}, trigger: { name: "下单", at: 1 } },
    };
    const typeOf = async () =>
      (
        (await k.raw(
          "select data_type from information_schema.columns where table_name = 'enrollments' and column_name = 'snapshot'",
        )) as { rows: { data_type: string }[] }
      ).rows[0]?.data_type;
    const stored = async () =>
      (
        (await k("enrollments").where({ contact_id: contact.id }).first("snapshot")) as {
          snapshot: unknown;
        }
      ).snapshot;
    expect(await typeOf()).toBe("json");
    await k("enrollments").insert({
      contact_id: contact.id,
      journey_id: "j-snap",
      version_id: version.id,
      current_node: "wait",
      snapshot: JSON.stringify(snapshot),
    });
    await snapshotJson.down(k);
    expect(await typeOf()).toBe("jsonb");
    expect(await stored()).toEqual(snapshot);
    await snapshotJson.up(k);
    expect(await typeOf()).toBe("json");
    expect(await stored()).toEqual(snapshot);
  });

  it("deduplicates events by (contact, message id)", async () => {
    const k = db.knex;
    const [contact] = await k("contacts").insert({ external_id: "u2" }).returning("id");
    const event = {
      contact_id: contact.id,
      message_id: "m-1",
      name: "purchased",
      occurred_at: new Date(),
    };
    await k("events").insert(event);
    const again = await k("events")
      .insert(event)
      .onConflict(["contact_id", "message_id"])
      .ignore()
      .returning("id");
    expect(again).toEqual([]);
  });
});
