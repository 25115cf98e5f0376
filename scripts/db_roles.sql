-- PostgreSQL roles for production: an OWNER role that runs the migrations and an APP
-- role that the web server and the commands use. The app role owns nothing, so it can
-- neither drop nor disable the append-only triggers (entries, evidence, activity log),
-- and it has no DELETE or TRUNCATE right on those tables.
--
-- Run once, as a superuser, naming the passwords:
--   psql -v owner_password="'…'" -v app_password="'…'" -f scripts/db_roles.sql
-- then migrate as the owner and apply the grants (again after every migrate):
--   DATABASE_URL=postgres://sochi_owner:…@host/sochi python manage.py migrate
--   psql "postgres://sochi_owner:…@host/sochi" -f scripts/db_grants.sql
-- and run the app with DATABASE_URL=postgres://sochi_app:…@host/sochi.

CREATE ROLE sochi_owner LOGIN PASSWORD :owner_password;
CREATE ROLE sochi_app LOGIN PASSWORD :app_password;
CREATE DATABASE sochi OWNER sochi_owner ENCODING 'UTF8' TEMPLATE template0;

\connect sochi
-- Nobody but the owner creates objects in the schema (PostgreSQL < 15 lets PUBLIC).
ALTER SCHEMA public OWNER TO sochi_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sochi_app;
