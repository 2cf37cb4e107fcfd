"""The bundled ACD/IVR engine: a discrete-event simulation of an airline-ticketing
contact center that writes the files real platforms write (Asterisk ``queue_log`` and
``cdr_csv``, agent states, recordings, orders, a help-desk export of deferred contacts and
post-call survey results)."""
