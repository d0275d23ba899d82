"""record each compute node's hypervisor capabilities

Computes report their plugin's capabilities (a JSON object of name ->
bool) with their inventory, so the compute API can refuse an action the
host's hypervisor cannot do. NULL means "not reported yet" (a compute
older than this column): the API treats such a host as capable.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('compute_nodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capabilities', sa.Text(),
                                      nullable=True))
