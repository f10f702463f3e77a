"""Pictures in posts: uploads checked and cleaned by Pillow, kept behind a storage interface,
served only to those who may read a post they belong to (or to their uploader)."""
