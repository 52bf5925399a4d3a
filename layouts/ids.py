"""Every component id used by a callback, in one place."""

URL = "url"

RESOURCES_PRINCIPLE = "resources-principle"
RESOURCES_CATEGORY = "resources-category"
RESOURCES_GUIDES = "resources-guides"
RESOURCES_COUNT = "resources-count"
RESOURCES_FRAMEWORK = "resources-framework"
