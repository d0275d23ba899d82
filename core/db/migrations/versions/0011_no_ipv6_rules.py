"""security group rules: drop the IPv6 rules default groups were made
with (IPv6 rules are refused now: nimbus networks are IPv4 only, and a
recorded rule that no plugin enforces would be silently ignored)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 17:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    rules = sa.table('security_group_rules', sa.column('ethertype'))
    op.execute(rules.delete().where(rules.c.ethertype == 'IPv6'))


def downgrade():
    # The rules were never enforced; nothing to bring back.
    pass
