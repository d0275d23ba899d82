"""the EC2 dialect: credentials, EC2 ids and tags

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-30 17:15:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ec2_credentials',
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('access', sa.String(length=64), nullable=False),
        sa.Column('secret_encrypted', sa.Text(), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('access'),
    )
    op.create_index('ec2_credentials_user_idx', 'ec2_credentials',
                    ['user_id'])
    op.create_table(
        'ec2_ids',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('uuid', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('prefix', 'uuid',
                            name='uniq_ec2_ids0prefix0uuid'),
    )
    op.create_table(
        'ec2_tags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(length=255), nullable=False),
        sa.Column('resource_id', sa.String(length=64), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'project_id', 'resource_id', 'key',
            name='uniq_ec2_tags0project_id0resource_id0key'),
    )


def downgrade():
    op.drop_table('ec2_tags')
    op.drop_table('ec2_ids')
    op.drop_index('ec2_credentials_user_idx', table_name='ec2_credentials')
    op.drop_table('ec2_credentials')
