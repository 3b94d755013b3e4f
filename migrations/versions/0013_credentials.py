"""staff enrolment links, sessions ended by a credential change, TOTP secrets sealed with a data key

Adds columns only (SQLite alters `people` in place; copying the table would cascade through its
foreign keys). The plain-text `totp_secret` column stays: a migration cannot see the data keys, so
`flask data-keys reseal`, run after this upgrade, moves every secret into `totp_secret_sealed` and
empties the old column. Until it has run, the plain secrets still work.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column(
        'totp_secret_sealed', sa.String(length=255), nullable=True,
        comment='TOTP secret of staff and administrators, AES-GCM under a key in DATA_KEYS_PATH'))
    op.add_column('people', sa.Column(
        'session_stamp', sa.String(length=32), nullable=True,
        comment='random; renewed to end every session of the person (password or authenticator changed)'))
    op.add_column('people', sa.Column(
        'enrolment_nonce', sa.String(length=32), nullable=True,
        comment='while an enrolment link is out; a new link or using it replaces it'))
    op.add_column('people', sa.Column('enrolment_expires_at', sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':  # SQLite keeps no column comments
        op.alter_column('people', 'totp_secret', existing_type=sa.String(length=64),
                        existing_comment='base32; staff and administrators',
                        comment='legacy: base32 in plain text, emptied by `flask data-keys reseal`')


def downgrade() -> None:
    bind = op.get_bind()
    sealed_only = bind.execute(sa.text(
        "SELECT COUNT(*) FROM people WHERE totp_secret_sealed IS NOT NULL AND totp_secret IS NULL")).scalar()
    if sealed_only:
        # The plain column cannot be refilled without the key; dropping the sealed one would lock
        # every staff member out. Better to stop here than to lose them.
        raise RuntimeError(f"{sealed_only} TOTP secret(s) exist only sealed; downgrading would lose them")
    if bind.dialect.name == 'sqlite':
        # Not batch mode: copying `people` would cascade deletes through the tables that point at it.
        for column in ('enrolment_expires_at', 'enrolment_nonce', 'session_stamp', 'totp_secret_sealed'):
            op.execute(f'ALTER TABLE people DROP COLUMN {column}')
        return
    op.alter_column('people', 'totp_secret', existing_type=sa.String(length=64),
                    comment='base32; staff and administrators',
                    existing_comment='legacy: base32 in plain text, emptied by `flask data-keys reseal`')
    for column in ('enrolment_expires_at', 'enrolment_nonce', 'session_stamp', 'totp_secret_sealed'):
        op.drop_column('people', column)
