"""Counts kept for the dashboard at scale: YearTally, DepartmentTally, SubItemTally, kept
on PostgreSQL by the triggers below and filled from the findings there are. Elsewhere
(SQLite) the tables stay empty: findings.tallies computes the counts instead.

YearTally and DepartmentTally rows are deltas, only ever appended (+1/-1 per change), so
two changes never wait on one counter row, and readers sum them; findings.tallies
folds them together now and then. Each trigger locks the rows it reads (the audit FOR
SHARE, the finding FOR SHARE, a parent FOR NO KEY UPDATE) so a concurrent change of
those rows is counted once, in commit order.

A finding counts (FindingQuerySet.counted) while it has no sub-item. SubItemTally keeps
each parent's number of sub-items row by row, so a parent's own counts leave when its
first sub-item arrives and come back when its last one leaves, however the rows come in
(one by one, bulk_create, COPY). A finding's counts are keyed by its kept status
(latest_status_id, 0 for 未報告) and due date (9999-12-31 for none), and go to its
audit's fiscal year and to each department it is addressed to.

The SQL is frozen here; findings.tallies.REBUILD_SQL is today's copy of the fill.
"""

from django.db import migrations, models

NO_DUE_DATE = "9999-12-31"

FUNCTIONS = f"""
CREATE FUNCTION findings_tally(fid bigint, aid bigint, sid bigint, due date, delta integer,
                               departments boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    fy integer;
BEGIN
    -- FOR SHARE: waits for a change of the audit's fiscal year and reads the committed one.
    SELECT fiscal_year INTO fy FROM audits_audit WHERE id = aid FOR SHARE;
    IF FOUND THEN
        INSERT INTO findings_yeartally (fiscal_year, status_key, due_date, n)
        VALUES (fy, COALESCE(sid, 0), COALESCE(due, DATE '{NO_DUE_DATE}'), delta);
    END IF;
    IF departments THEN
        INSERT INTO findings_departmenttally (department_id, status_key, due_date, n)
        SELECT l.department_id, COALESCE(sid, 0), COALESCE(due, DATE '{NO_DUE_DATE}'), delta
        FROM findings_finding_departments l WHERE l.finding_id = fid;
    END IF;
END $$;

CREATE FUNCTION findings_is_counted(fid bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM findings_subitemtally WHERE finding_id = fid AND children > 0)
$$;

-- A sub-item arrived at (delta 1) or left (-1) parent pid.
CREATE FUNCTION findings_tally_subitem(pid bigint, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    now_children integer;
    p record;
BEGIN
    INSERT INTO findings_subitemtally AS t (finding_id, children) VALUES (pid, delta)
    ON CONFLICT (finding_id) DO UPDATE SET children = t.children + EXCLUDED.children
    RETURNING children INTO now_children;
    IF (delta > 0 AND now_children = 1) OR (delta < 0 AND now_children = 0) THEN
        -- FOR NO KEY UPDATE: serialised with an edit of the parent and with a change of
        -- its departments (whose trigger reads it FOR SHARE).
        SELECT id, audit_id, latest_status_id, due_date INTO p
        FROM findings_finding WHERE id = pid FOR NO KEY UPDATE;
        IF FOUND THEN
            PERFORM findings_tally(p.id, p.audit_id, p.latest_status_id, p.due_date, -delta, true);
        END IF;
    END IF;
END $$;

CREATE FUNCTION findings_tally_finding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF findings_is_counted(NEW.id) THEN
            PERFORM findings_tally(NEW.id, NEW.audit_id, NEW.latest_status_id, NEW.due_date, 1, true);
        END IF;
        IF NEW.parent_id IS NOT NULL THEN
            PERFORM findings_tally_subitem(NEW.parent_id, 1);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        -- Django deletes the department links first: their trigger took those counts.
        IF findings_is_counted(OLD.id) THEN
            PERFORM findings_tally(OLD.id, OLD.audit_id, OLD.latest_status_id, OLD.due_date, -1, false);
        END IF;
        DELETE FROM findings_subitemtally WHERE finding_id = OLD.id;
        IF OLD.parent_id IS NOT NULL THEN
            PERFORM findings_tally_subitem(OLD.parent_id, -1);
        END IF;
        RETURN NULL;
    END IF;
    IF (OLD.audit_id, OLD.latest_status_id, OLD.due_date)
       IS DISTINCT FROM (NEW.audit_id, NEW.latest_status_id, NEW.due_date)
       AND findings_is_counted(NEW.id) THEN
        PERFORM findings_tally(OLD.id, OLD.audit_id, OLD.latest_status_id, OLD.due_date, -1, true);
        PERFORM findings_tally(NEW.id, NEW.audit_id, NEW.latest_status_id, NEW.due_date, 1, true);
    END IF;
    IF OLD.parent_id IS DISTINCT FROM NEW.parent_id THEN
        IF OLD.parent_id IS NOT NULL THEN
            PERFORM findings_tally_subitem(OLD.parent_id, -1);
        END IF;
        IF NEW.parent_id IS NOT NULL THEN
            PERFORM findings_tally_subitem(NEW.parent_id, 1);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION findings_tally_link_one(fid bigint, did bigint, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    f record;
BEGIN
    -- FOR SHARE: waits for an edit of the finding (or its first sub-item) to commit.
    SELECT latest_status_id, due_date INTO f FROM findings_finding WHERE id = fid FOR SHARE;
    IF FOUND AND findings_is_counted(fid) THEN
        INSERT INTO findings_departmenttally (department_id, status_key, due_date, n)
        VALUES (did, COALESCE(f.latest_status_id, 0),
                COALESCE(f.due_date, DATE '{NO_DUE_DATE}'), delta);
    END IF;
END $$;

CREATE FUNCTION findings_tally_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM findings_tally_link_one(OLD.finding_id, OLD.department_id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM findings_tally_link_one(NEW.finding_id, NEW.department_id, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION findings_tally_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO findings_yeartally (fiscal_year, status_key, due_date, n)
    SELECT y.fiscal_year, COALESCE(f.latest_status_id, 0),
           COALESCE(f.due_date, DATE '{NO_DUE_DATE}'), y.sign * COUNT(*)
    FROM findings_finding f
    CROSS JOIN (VALUES (OLD.fiscal_year, -1), (NEW.fiscal_year, 1)) AS y (fiscal_year, sign)
    WHERE f.audit_id = NEW.id AND findings_is_counted(f.id)
    GROUP BY y.fiscal_year, y.sign, 2, 3;
    RETURN NULL;
END $$;

CREATE TRIGGER findings_tally_finding
AFTER INSERT OR DELETE OR UPDATE OF audit_id, latest_status_id, due_date, parent_id
ON findings_finding FOR EACH ROW EXECUTE FUNCTION findings_tally_finding();

CREATE TRIGGER findings_tally_link
AFTER INSERT OR DELETE OR UPDATE ON findings_finding_departments
FOR EACH ROW EXECUTE FUNCTION findings_tally_link();

CREATE TRIGGER findings_tally_audit
AFTER UPDATE OF fiscal_year ON audits_audit
FOR EACH ROW WHEN (OLD.fiscal_year IS DISTINCT FROM NEW.fiscal_year)
EXECUTE FUNCTION findings_tally_audit();
"""

DROP = """
DROP TRIGGER IF EXISTS findings_tally_audit ON audits_audit;
DROP TRIGGER IF EXISTS findings_tally_link ON findings_finding_departments;
DROP TRIGGER IF EXISTS findings_tally_finding ON findings_finding;
DROP FUNCTION IF EXISTS findings_tally_audit();
DROP FUNCTION IF EXISTS findings_tally_link();
DROP FUNCTION IF EXISTS findings_tally_link_one(bigint, bigint, integer);
DROP FUNCTION IF EXISTS findings_tally_finding();
DROP FUNCTION IF EXISTS findings_tally_subitem(bigint, integer);
DROP FUNCTION IF EXISTS findings_is_counted(bigint);
DROP FUNCTION IF EXISTS findings_tally(bigint, bigint, bigint, date, integer, boolean);
"""

FILL = f"""
INSERT INTO findings_subitemtally (finding_id, children)
SELECT parent_id, COUNT(*) FROM findings_finding WHERE parent_id IS NOT NULL GROUP BY parent_id;
INSERT INTO findings_yeartally (fiscal_year, status_key, due_date, n)
SELECT a.fiscal_year, COALESCE(f.latest_status_id, 0), COALESCE(f.due_date, DATE '{NO_DUE_DATE}'),
       COUNT(*)
FROM findings_finding f JOIN audits_audit a ON a.id = f.audit_id
WHERE NOT EXISTS (SELECT 1 FROM findings_finding c WHERE c.parent_id = f.id)
GROUP BY 1, 2, 3;
INSERT INTO findings_departmenttally (department_id, status_key, due_date, n)
SELECT l.department_id, COALESCE(f.latest_status_id, 0),
       COALESCE(f.due_date, DATE '{NO_DUE_DATE}'), COUNT(*)
FROM findings_finding f JOIN findings_finding_departments l ON l.finding_id = f.id
WHERE NOT EXISTS (SELECT 1 FROM findings_finding c WHERE c.parent_id = f.id)
GROUP BY 1, 2, 3;
"""


def on_postgres(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: several statements

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0010_memberships"),
        ("findings", "0007_fill_current_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="YearTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fiscal_year", models.IntegerField()),
                ("status_key", models.BigIntegerField()),
                ("due_date", models.DateField()),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="DepartmentTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("department_id", models.BigIntegerField()),
                ("status_key", models.BigIntegerField()),
                ("due_date", models.DateField()),
                ("n", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="SubItemTally",
            fields=[
                ("finding_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("children", models.IntegerField()),
            ],
        ),
        migrations.RunPython(on_postgres(FUNCTIONS + FILL), on_postgres(DROP)),
    ]
