"""Sample data and the demo, beside the domain package (`credit/` never imports them): the generator of
realistic reporting days and benchmark frames (`samples.generator`) and `credit demo` (`samples.demo`)."""
