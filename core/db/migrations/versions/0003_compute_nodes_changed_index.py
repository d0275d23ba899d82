"""index compute nodes by change time

Schedulers read the nodes changed since their last read on every
decision; without this index that is a full scan of compute_nodes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:45:00
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('compute_nodes_changed_idx', 'compute_nodes',
                    ['updated_at', 'created_at'], unique=False)
