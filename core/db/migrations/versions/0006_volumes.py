"""volumes, snapshots, volume attachments and volume hosts

nimbus-volume's records: volumes and snapshots (ids are the UUIDs the
Block Storage API shows, soft-deleted like instances), each attachment of
a volume to an instance, and each volume host's reported capacity, which
the volume scheduler places new volumes by.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=True)]


def _soft_delete():
    return [sa.Column('deleted_at', sa.DateTime(), nullable=True),
            sa.Column('deleted', sa.Integer(), nullable=False)]


def upgrade():
    op.create_table(
        'volumes',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=255), nullable=False),
        sa.Column('status_changed_at', sa.DateTime(), nullable=True),
        sa.Column('display_name', sa.String(length=255), nullable=True),
        sa.Column('display_description', sa.Text(), nullable=True),
        sa.Column('availability_zone', sa.String(length=255),
                  nullable=True),
        sa.Column('bootable', sa.Boolean(), nullable=False),
        sa.Column('volume_type', sa.String(length=255), nullable=True),
        sa.Column('snapshot_id', sa.String(length=36), nullable=True),
        sa.Column('source_volid', sa.String(length=36), nullable=True),
        sa.Column('image_id', sa.String(length=36), nullable=True),
        sa.Column('metadata_json', sa.Text(), nullable=False),
        sa.Column('image_metadata_json', sa.Text(), nullable=False),
        sa.Column('provider_location', sa.String(length=255),
                  nullable=True),
        sa.Column('export_json', sa.Text(), nullable=True),
        sa.Column('fault_message', sa.Text(), nullable=True),
        sa.Column('task_request_id', sa.String(length=255), nullable=True),
        *_timestamps(), *_soft_delete(),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('volumes_project_deleted_idx', 'volumes',
                    ['project_id', 'deleted'], unique=False)
    op.create_index('volumes_host_deleted_idx', 'volumes',
                    ['host', 'deleted'], unique=False)
    op.create_table(
        'snapshots',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('volume_id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('volume_size', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=255), nullable=False),
        sa.Column('status_changed_at', sa.DateTime(), nullable=True),
        sa.Column('progress', sa.String(length=255), nullable=True),
        sa.Column('display_name', sa.String(length=255), nullable=True),
        sa.Column('display_description', sa.Text(), nullable=True),
        sa.Column('metadata_json', sa.Text(), nullable=False),
        sa.Column('provider_location', sa.String(length=255),
                  nullable=True),
        sa.Column('fault_message', sa.Text(), nullable=True),
        *_timestamps(), *_soft_delete(),
        sa.ForeignKeyConstraint(['volume_id'], ['volumes.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('snapshots_volume_deleted_idx', 'snapshots',
                    ['volume_id', 'deleted'], unique=False)
    op.create_index('snapshots_project_deleted_idx', 'snapshots',
                    ['project_id', 'deleted'], unique=False)
    op.create_table(
        'volume_attachments',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('volume_id', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=True),
        sa.Column('attached_host', sa.String(length=255), nullable=True),
        sa.Column('mountpoint', sa.String(length=255), nullable=True),
        sa.Column('attach_status', sa.String(length=255), nullable=False),
        sa.Column('attach_time', sa.DateTime(), nullable=True),
        sa.Column('detach_time', sa.DateTime(), nullable=True),
        sa.Column('connector_json', sa.Text(), nullable=True),
        *_timestamps(), *_soft_delete(),
        sa.ForeignKeyConstraint(['volume_id'], ['volumes.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('volume_attachments_volume_deleted_idx',
                    'volume_attachments', ['volume_id', 'deleted'],
                    unique=False)
    op.create_index('volume_attachments_instance_deleted_idx',
                    'volume_attachments', ['instance_uuid', 'deleted'],
                    unique=False)
    op.create_table(
        'volume_hosts',
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('driver', sa.String(length=255), nullable=False),
        sa.Column('availability_zone', sa.String(length=255),
                  nullable=True),
        sa.Column('total_gb', sa.Float(), nullable=False),
        sa.Column('free_gb', sa.Float(), nullable=False),
        sa.Column('capabilities', sa.Text(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint('host'),
    )
