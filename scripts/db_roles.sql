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

-- Other names: -v db_name=… -v owner_role=… -v app_role=… (defaults sochi, sochi_owner,
-- sochi_app).
\set ON_ERROR_STOP on
\if :{?db_name} \else \set db_name sochi \endif
\if :{?owner_role} \else \set owner_role sochi_owner \endif
\if :{?app_role} \else \set app_role sochi_app \endif

CREATE ROLE :"owner_role" LOGIN PASSWORD :owner_password;
CREATE ROLE :"app_role" LOGIN PASSWORD :app_password;
CREATE DATABASE :"db_name" OWNER :"owner_role" ENCODING 'UTF8' TEMPLATE template0;

\connect :db_name
-- Nobody but the owner creates objects in the schema (PostgreSQL < 15 lets PUBLIC).
ALTER SCHEMA public OWNER TO :"owner_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app_role";
