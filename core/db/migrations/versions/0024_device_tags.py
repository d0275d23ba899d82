"""Device tags kept: ``block_device_mappings.tag`` and ``ports.tag`` (the
tag a server create or an attach gave a disk or a NIC, compute API 2.32,
2.42, 2.49, shown from 2.70), and ``block_device_mappings.volume_type``
(the type a volume made for a server was asked with, 2.67), and
``block_device_mappings.uuid`` (2.89's ``bdm_uuid``; existing rows get
one)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
from oslo_utils import uuidutils
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('block_device_mappings', schema=None) as b:
        b.add_column(sa.Column('tag', sa.String(length=255), nullable=True))
        b.add_column(sa.Column('volume_type', sa.String(length=255),
                               nullable=True))
        b.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
    table = sa.table('block_device_mappings', sa.column('id', sa.Integer),
                     sa.column('uuid', sa.String))
    bind = op.get_bind()
    for (row_id,) in bind.execute(sa.select(table.c.id)).fetchall():
        bind.execute(table.update().where(table.c.id == row_id)
                     .values(uuid=uuidutils.generate_uuid()))
    with op.batch_alter_table('ports', schema=None) as b:
        b.add_column(sa.Column('tag', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('ports', schema=None) as b:
        b.drop_column('tag')
    with op.batch_alter_table('block_device_mappings', schema=None) as b:
        b.drop_column('uuid')
        b.drop_column('volume_type')
        b.drop_column('tag')
