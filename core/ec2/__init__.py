"""What the EC2 dialect needs beyond the other service APIs: EC2
credentials (:mod:`.credentials`) and EC2 ids and tags (:mod:`.ids`)."""
