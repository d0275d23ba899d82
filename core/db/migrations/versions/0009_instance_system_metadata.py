"""instances.system_metadata: what nimbus keeps about a server for
itself (the shelved image, the host it was shelved on, the rescue state)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances') as batch:
        batch.add_column(sa.Column('system_metadata', sa.Text(),
                                   nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('instances') as batch:
        batch.drop_column('system_metadata')
