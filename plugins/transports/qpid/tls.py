"""TLS for the AMQP 1.0 transport."""

from proton import SSLDomain


def ssl_domain(ca_file=None, cert_file=None, key_file=None,
               key_password=None, verify_hostname=True):
    """A client TLS configuration for proton."""
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    if ca_file:
        domain.set_trusted_ca_db(ca_file)
        domain.set_peer_authentication(
            SSLDomain.VERIFY_PEER_NAME if verify_hostname
            else SSLDomain.VERIFY_PEER, ca_file)
    else:
        domain.set_peer_authentication(
            SSLDomain.VERIFY_PEER_NAME if verify_hostname
            else SSLDomain.VERIFY_PEER)
    if cert_file:
        domain.set_credentials(cert_file, key_file, key_password)
    return domain
