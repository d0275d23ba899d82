"""Device tags kept: ``block_device_mappings.tag`` and ``ports.tag`` (the
tag a server create or an attach gave a disk or a NIC, compute API 2.32,
2.42, 2.49, shown from 2.70), and ``block_device_mappings.volume_type``
(the type a volume made for a server was asked with, 2.67), and
``block_device_mappings.uuid`` (2.89's ``bdm_uuid``; existing rows get
one). Volumes attached after their server's create get the mapping they
lacked.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
from oslo_utils import timeutils, uuidutils
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
                     sa.column('uuid', sa.String),
                     sa.column('instance_uuid', sa.String),
                     sa.column('volume_id', sa.String),
                     sa.column('source_type', sa.String),
                     sa.column('boot_index', sa.Integer),
                     sa.column('delete_on_termination', sa.Boolean),
                     sa.column('device_name', sa.String),
                     sa.column('created_at', sa.DateTime))
    bind = op.get_bind()
    for (row_id,) in bind.execute(sa.select(table.c.id)).fetchall():
        bind.execute(table.update().where(table.c.id == row_id)
                     .values(uuid=uuidutils.generate_uuid()))
    # Volumes attached after their server's create had no mapping: they
    # get one (untagged, not deleted with the server, as they were).
    attachments = sa.table(
        'volume_attachments', sa.column('volume_id', sa.String),
        sa.column('instance_uuid', sa.String),
        sa.column('mountpoint', sa.String),
        sa.column('attach_status', sa.String),
        sa.column('deleted', sa.Integer))
    mapped = {tuple(r) for r in bind.execute(
        sa.select(table.c.instance_uuid, table.c.volume_id)).fetchall()}
    rows = bind.execute(sa.select(
        attachments.c.instance_uuid, attachments.c.volume_id,
        attachments.c.mountpoint).where(
        attachments.c.deleted == 0,
        attachments.c.instance_uuid.isnot(None),
        attachments.c.attach_status.in_(
            ('attaching', 'attached', 'detaching')))).fetchall()
    now = timeutils.utcnow()
    for instance_uuid, volume_id, mountpoint in rows:
        if (instance_uuid, volume_id) in mapped:
            continue
        mapped.add((instance_uuid, volume_id))
        bind.execute(table.insert().values(
            uuid=uuidutils.generate_uuid(), instance_uuid=instance_uuid,
            volume_id=volume_id, source_type='volume', boot_index=None,
            delete_on_termination=False, device_name=mountpoint,
            created_at=now))
    with op.batch_alter_table('ports', schema=None) as b:
        b.add_column(sa.Column('tag', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('ports', schema=None) as b:
        b.drop_column('tag')
    with op.batch_alter_table('block_device_mappings', schema=None) as b:
        b.drop_column('uuid')
        b.drop_column('volume_type')
        b.drop_column('tag')
