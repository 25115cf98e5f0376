-- The app role's rights, applied by the OWNER role after every `manage.py migrate`
-- (idempotent; see scripts/db_roles.sql and the README's "Production" section).
-- Rights are granted on every table, then DELETE and TRUNCATE taken back from the
-- append-only ones: the database triggers refuse those anyway, this is the second lock.
\set ON_ERROR_STOP on
\if :{?app_role} \else \set app_role sochi_app \endif
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE DELETE, TRUNCATE, TRIGGER, REFERENCES
    ON history_logentry, remediation_remediationentry, remediation_evidence,
       remediation_entryreview
    FROM :"app_role";
