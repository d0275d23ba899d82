"""instance tags: a server's string tags (Compute API 2.26)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 03:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instance_tags',
        sa.Column('instance_uuid', sa.String(length=36), nullable=False),
        sa.Column('tag', sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint('instance_uuid', 'tag'),
    )
    op.create_index('instance_tags_tag_idx', 'instance_tags', ['tag'])


def downgrade():
    op.drop_index('instance_tags_tag_idx', table_name='instance_tags')
    op.drop_table('instance_tags')
