"""media: uploaded pictures and the posts they are attached to

Revision ID: 0014_media
Revises: 0013_journey
Create Date: 2026-12-06 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_media'
down_revision = '0013_journey'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('display_width', sa.Integer(), nullable=False),
    sa.Column('display_height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_media_images_uploader_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_images')),
    sa.UniqueConstraint('key', name=op.f('uq_media_images_key'))
    )
    with op.batch_alter_table('media_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_images_uploader_id'), ['uploader_id'], unique=False)

    op.create_table('media_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('image_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['media_images.id'], name=op.f('fk_media_attachments_image_id_media_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_attachments')),
    sa.UniqueConstraint('image_id', 'kind', 'owner_id', name='uq_media_attachments_owner')
    )
    with op.batch_alter_table('media_attachments', schema=None) as batch_op:
        batch_op.create_index('ix_media_attachments_owner', ['kind', 'owner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('media_attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_media_attachments_owner')

    op.drop_table('media_attachments')
    with op.batch_alter_table('media_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_images_uploader_id'))

    op.drop_table('media_images')
