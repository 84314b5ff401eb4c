"""Adapters for uploaded files: the object store (S3), the virus scanner (ClamAV) and the media
measurer (headers of images, video, audio, PDFs). The rules they feed live in domain/files.py."""
