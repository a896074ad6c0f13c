"""The dispatcher worker's main module: the classes workerd exports.

``DynamicWorkflowBinding`` must be exported here: ``wrap_workflow_binding``
finds it on ctx.exports.
"""

from dispatcher.app import Default, DynamicWorkflow
from dynamic_workflows import DynamicWorkflowBinding

__all__ = ["Default", "DynamicWorkflow", "DynamicWorkflowBinding"]
