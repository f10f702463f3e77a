"""Pages rendered once and shared by everyone they look the same for.

`fragments` splits a rendering at slots and fills them per viewer; `shared` is the guard a
shared rendering is built under (anything of one person refuses to be read); `cache` keeps
renderings in the worker's memory and in a store the workers share (a file, or Redis).
Domains decide who shares what and with which key; nothing here knows any domain.
"""
