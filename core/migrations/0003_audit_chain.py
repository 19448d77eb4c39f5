from django.db import migrations

# The chain's identity (published checkpoints name it) and the first entry whose actor context must carry the
# service's HMAC (decision 0012): entries before it were written before contexts were signed. Append-only like
# the other audit tables (core/audit.py installs the triggers); the service's role only reads it.
CREATE_SQL = """
CREATE TABLE audit_chain (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    signed_from bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX audit_chain_one_row ON audit_chain ((true));
INSERT INTO audit_chain (signed_from) SELECT COALESCE(max(id), 0) + 1 FROM audit_entry;
"""
DROP_SQL = "DROP TABLE IF EXISTS audit_chain;"


class Migration(migrations.Migration):
    dependencies = [("core", "0002_seed_calendar")]
    operations = [migrations.RunSQL(CREATE_SQL, DROP_SQL)]
