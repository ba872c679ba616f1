-- Runs once, when the postgres container initialises an empty data directory
-- (docker-entrypoint-initdb.d, psql with ON_ERROR_STOP). One role and one database per
-- service (shishi_<service>, the default of SHISHI_POSTGRES_DBNAME): a service can neither
-- read nor write another service's events.
-- Passwords come from the container environment (psql's \getenv, PostgreSQL 15+).

\getenv intake_password INTAKE_DB_PASSWORD
\getenv decision_password DECISION_DB_PASSWORD
\getenv supervision_password SUPERVISION_DB_PASSWORD
\getenv evaluation_password EVALUATION_DB_PASSWORD

CREATE ROLE intake LOGIN PASSWORD :'intake_password';
CREATE ROLE decision LOGIN PASSWORD :'decision_password';
CREATE ROLE supervision LOGIN PASSWORD :'supervision_password';
CREATE ROLE evaluation LOGIN PASSWORD :'evaluation_password';

CREATE DATABASE shishi_intake OWNER intake ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE shishi_decision OWNER decision ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE shishi_supervision OWNER supervision ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE shishi_evaluation OWNER evaluation ENCODING 'UTF8' TEMPLATE template0;

REVOKE ALL ON DATABASE shishi_intake, shishi_decision, shishi_supervision, shishi_evaluation FROM PUBLIC;
