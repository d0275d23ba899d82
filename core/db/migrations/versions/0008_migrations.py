"""migrations: the records of conductor's move workflows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 17:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'migrations',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('source_compute', sa.String(length=255), nullable=True),
        sa.Column('source_node', sa.String(length=255), nullable=True),
        sa.Column('dest_compute', sa.String(length=255), nullable=True),
        sa.Column('dest_node', sa.String(length=255), nullable=True),
        sa.Column('dest_host', sa.String(length=255), nullable=True),
        sa.Column('old_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('new_instance_type_id', sa.Integer(), nullable=True),
        sa.Column('old_flavor', sa.Text(), nullable=True),
        sa.Column('new_flavor', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=255), nullable=False),
        sa.Column('migration_type', sa.String(length=255), nullable=False),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('memory_total', sa.BigInteger(), nullable=True),
        sa.Column('memory_processed', sa.BigInteger(), nullable=True),
        sa.Column('memory_remaining', sa.BigInteger(), nullable=True),
        sa.Column('disk_total', sa.BigInteger(), nullable=True),
        sa.Column('disk_processed', sa.BigInteger(), nullable=True),
        sa.Column('disk_remaining', sa.BigInteger(), nullable=True),
        sa.Column('user_id', sa.String(length=255), nullable=True),
        sa.Column('project_id', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    op.create_index('migrations_instance_uuid_and_status_idx', 'migrations',
                    ['deleted', 'instance_uuid', 'status'])
    op.create_index('migrations_by_source_and_status_idx', 'migrations',
                    ['deleted', 'source_compute', 'status'])
    op.create_index('migrations_by_dest_and_status_idx', 'migrations',
                    ['deleted', 'dest_compute', 'status'])
    op.create_index('migrations_updated_at_idx', 'migrations',
                    ['updated_at'])


def downgrade():
    op.drop_index('migrations_updated_at_idx', table_name='migrations')
    op.drop_index('migrations_by_dest_and_status_idx',
                  table_name='migrations')
    op.drop_index('migrations_by_source_and_status_idx',
                  table_name='migrations')
    op.drop_index('migrations_instance_uuid_and_status_idx',
                  table_name='migrations')
    op.drop_table('migrations')
