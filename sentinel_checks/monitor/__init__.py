"""After promotion: monitoring statistics of a production batch, the batch run
(sentinel monitor) and its trend page."""
