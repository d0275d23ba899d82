"""instances: the user's description of a server (Compute API 2.19)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 03:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_description',
                                      sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('display_description')
