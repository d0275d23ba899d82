"""volume types: types, their extra specs and project access; volumes
refer to their type by id; Cinder's ``__DEFAULT__`` type, which existing
volumes get

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:30:00
"""

import datetime
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'volume_types',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.Column('deleted', sa.Integer(), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=True),
        sa.Column('is_public', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'deleted',
                            name='uniq_volume_types0name0deleted'),
    )
    op.create_table(
        'volume_type_extra_specs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volume_type_id', sa.String(length=36), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['volume_type_id'], ['volume_types.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('volume_type_id', 'key',
                            name='uniq_volume_type_extra_specs0type0key'),
    )
    op.create_table(
        'volume_type_projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('volume_type_id', sa.String(length=36), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['volume_type_id'], ['volume_types.id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('volume_type_id', 'project_id',
                            name='uniq_volume_type_projects0type0project'),
    )
    with op.batch_alter_table('volumes') as batch:
        batch.add_column(sa.Column('volume_type_id', sa.String(length=36),
                                   nullable=True))
        batch.create_index('volumes_type_deleted_idx',
                           ['volume_type_id', 'deleted'])
    # Cinder's default type, which every volume made before types had
    # gets (as Cinder's own migration does).
    default_id = str(uuid.uuid4())
    types = sa.table('volume_types', sa.column('id'), sa.column('name'),
                     sa.column('description'), sa.column('is_public'),
                     sa.column('deleted'), sa.column('created_at'))
    op.execute(types.insert().values(
        id=default_id, name='__DEFAULT__',
        description='Default Volume Type', is_public=True, deleted=0,
        created_at=datetime.datetime.now(datetime.timezone.utc)
        .replace(tzinfo=None)))
    volumes = sa.table('volumes', sa.column('volume_type_id'),
                       sa.column('volume_type'))
    op.execute(volumes.update().where(volumes.c.volume_type_id.is_(None))
               .values(volume_type_id=default_id,
                       volume_type='__DEFAULT__'))


def downgrade():
    with op.batch_alter_table('volumes') as batch:
        batch.drop_index('volumes_type_deleted_idx')
        batch.drop_column('volume_type_id')
    op.drop_table('volume_type_projects')
    op.drop_table('volume_type_extra_specs')
    op.drop_table('volume_types')
