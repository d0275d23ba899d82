"""``nimbus project|user|role ...``: manage nimbus's own identity
(the Identity v3 subset) through the API, as an admin."""


from nimbus.cli import errors
from nimbus.cli.commands import base


def _identity(app):
    return app.connection.identity


class CreateProject(base.ShowOne):
    """Create a project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name")
        parser.add_argument("--description", default="")
        return parser

    @errors.translated
    def take_action(self, args):
        project = _identity(self.app).create_project(
            name=args.name, description=args.description,
            domain_id="default")
        return ("id", "name", "description"), (project.id, project.name,
                                               project.description)


class ListProject(base.Lister):
    """List projects."""

    @errors.translated
    def take_action(self, args):
        return (("ID", "Name", "Enabled"),
                [(p.id, p.name, p.is_enabled)
                 for p in _identity(self.app).projects()])


class DeleteProject(base.Command):
    """Delete a project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("project")
        return parser

    @errors.translated
    def take_action(self, args):
        ident = _identity(self.app)
        ident.delete_project(ident.find_project(args.project,
                                                ignore_missing=False))


class CreateUser(base.ShowOne):
    """Create a user (with a password, and a default project)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name")
        parser.add_argument("--password", required=True)
        parser.add_argument("--project", help="default project")
        return parser

    @errors.translated
    def take_action(self, args):
        ident = _identity(self.app)
        values = {"name": args.name, "password": args.password,
                  "domain_id": "default"}
        if args.project:
            values["default_project_id"] = ident.find_project(
                args.project, ignore_missing=False).id
        user = ident.create_user(**values)
        return ("id", "name", "default_project_id"), (
            user.id, user.name, user.default_project_id)


class ListUser(base.Lister):
    """List users."""

    @errors.translated
    def take_action(self, args):
        return (("ID", "Name", "Enabled"),
                [(u.id, u.name, u.is_enabled)
                 for u in _identity(self.app).users()])


class SetUser(base.Command):
    """Change a user's password, or enable/disable them."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("user")
        parser.add_argument("--password")
        parser.add_argument("--disable", action="store_true")
        parser.add_argument("--enable", action="store_true")
        return parser

    @errors.translated
    def take_action(self, args):
        ident = _identity(self.app)
        user = ident.find_user(args.user, ignore_missing=False)
        values = {}
        if args.password:
            values["password"] = args.password
        if args.enable or args.disable:
            values["is_enabled"] = bool(args.enable)
        ident.update_user(user, **values)


class DeleteUser(base.Command):
    """Delete a user."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("user")
        return parser

    @errors.translated
    def take_action(self, args):
        ident = _identity(self.app)
        ident.delete_user(ident.find_user(args.user, ignore_missing=False))


class _RoleCommand(base.Command):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("role", help="admin, member or reader")
        parser.add_argument("--project", required=True)
        parser.add_argument("--user", required=True)
        return parser

    def _resolve(self, args):
        ident = _identity(self.app)
        return (ident,
                ident.find_project(args.project, ignore_missing=False),
                ident.find_user(args.user, ignore_missing=False),
                ident.find_role(args.role, ignore_missing=False))


class AddRole(_RoleCommand):
    """Give a user a role on a project."""

    @errors.translated
    def take_action(self, args):
        ident, project, user, role = self._resolve(args)
        ident.assign_project_role_to_user(project, user, role)


class RemoveRole(_RoleCommand):
    """Take a role on a project away from a user."""

    @errors.translated
    def take_action(self, args):
        ident, project, user, role = self._resolve(args)
        ident.unassign_project_role_from_user(project, user, role)


class ListRoleAssignment(base.Lister):
    """List who holds which role on which project."""

    @errors.translated
    def take_action(self, args):
        return (("Role", "User", "Project"),
                [(a.role["id"], a.user["id"], a.scope["project"]["id"])
                 for a in _identity(self.app).role_assignments()])
