"""The Qt bridge: workers on threads that own a resource, emitting typed signals."""
