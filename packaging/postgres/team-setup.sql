-- Newsdigest: a team library on PostgreSQL, set up once by whoever runs the database.
--
-- Run it as a superuser (or a role with CREATEROLE and CREATEDB), with psql:
--
--     psql -v ON_ERROR_STOP=1 -h db.example.org -U postgres -f team-setup.sql
--
-- then give each login role its password with psql's \password (it sends the server a
-- hash, never the password itself):
--
--     psql -h db.example.org -U postgres -c '\password newsdigest_owner'
--
-- Put your officers' names in place of ann and bob (one CREATE ROLE and one GRANT each);
-- an officer who joins later is those two lines and a \password, nothing else.
-- README.md, "Setting up the team library", says what each statement is for.
-- tests/store/test_postgres_roles.py runs this file against a real server.

-- The team: a group role nobody logs in as, which holds the right to read and write.
CREATE ROLE newsdigest_team NOLOGIN;

-- The owner of the database and its tables. Its first open creates the tables, and a
-- later Newsdigest that upgrades them (ALTER TABLE) must run as it: only a table's
-- owner may change it. Not a member of the team: it owns everything already.
CREATE ROLE newsdigest_owner LOGIN;

-- One login role per officer, each a member of the team.
CREATE ROLE ann LOGIN;
GRANT newsdigest_team TO ann;
CREATE ROLE bob LOGIN;
GRANT newsdigest_team TO bob;

-- The library's database, UTF-8, owned by the owner; only the team may connect to it.
CREATE DATABASE newsdigest OWNER newsdigest_owner TEMPLATE template0 ENCODING 'UTF8';
REVOKE ALL ON DATABASE newsdigest FROM PUBLIC;
GRANT CONNECT ON DATABASE newsdigest TO newsdigest_team;

-- In the library's database (still as the superuser): only the owner creates tables,
-- and every table and sequence it creates, now or in an upgrade, is the team's to read
-- and write (not to alter or drop).
\connect newsdigest
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO newsdigest_owner;
GRANT USAGE ON SCHEMA public TO newsdigest_team;
ALTER DEFAULT PRIVILEGES FOR ROLE newsdigest_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO newsdigest_team;
ALTER DEFAULT PRIVILEGES FOR ROLE newsdigest_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO newsdigest_team;
