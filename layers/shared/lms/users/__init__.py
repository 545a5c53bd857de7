"""The identity context: institutions, people, roles, suspension and the audit trail of admin actions."""
