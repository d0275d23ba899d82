"""block device mappings: the volumes a server was created with

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'block_device_mappings',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('volume_id', sa.String(length=36), nullable=False),
        sa.Column('source_type', sa.String(length=255), nullable=False),
        sa.Column('boot_index', sa.Integer(), nullable=True),
        sa.Column('delete_on_termination', sa.Boolean(), nullable=False),
        sa.Column('device_name', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('block_device_mappings_instance_idx',
                    'block_device_mappings', ['instance_uuid'])


def downgrade():
    op.drop_index('block_device_mappings_instance_idx',
                  table_name='block_device_mappings')
    op.drop_table('block_device_mappings')
