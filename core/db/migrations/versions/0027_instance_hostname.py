"""instances: ``hostname``, the name the metadata service and DHCP hand
the guest (Compute API 2.90 lets the user give it); NULL for servers
recorded before, whose hostname is made from the display name

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 07:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hostname', sa.String(length=255),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('hostname')
