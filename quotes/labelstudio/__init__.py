"""Label Studio integration: labeling config, converters, push/pull client, ML backend.

Import the submodules directly (``quotes.labelstudio.convert`` and so on); this
package imports nothing heavy at import time.
"""
