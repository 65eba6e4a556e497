-- The service registry: everything metrics, alerts and incidents are filed against.
CREATE TABLE services (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    type        text        NOT NULL,
    labels      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    owner_team  text        NOT NULL DEFAULT '',
    status      text        NOT NULL DEFAULT 'active',
    last_seen   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT services_name_format CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    CONSTRAINT services_labels_object CHECK (jsonb_typeof(labels) = 'object')
);

CREATE INDEX services_owner_team_idx ON services (owner_team) WHERE owner_team <> '';
