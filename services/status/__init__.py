"""The client's live status page and the remote-work hierarchy, built from the other apps' signals."""
