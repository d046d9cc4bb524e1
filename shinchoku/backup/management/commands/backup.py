from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.backup.archive import write_backup
from shinchoku.backup.errors import BackupError


class Command(BaseCommand):
    help = (
        "Write one backup file (.tar.gz, mode 0600) of the database, the secret key and a manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="file or folder to write (default: shinchoku-backup-VENDOR-DATE.tar.gz here)",
        )

    def handle(self, *args, **options):
        output = Path(options["output"]) if options["output"] else None
        try:
            path, manifest = write_backup(output)
        except BackupError as e:
            raise CommandError(str(e)) from None
        size = path.stat().st_size
        self.stdout.write(
            f"バックアップを書きました: {path}({size:,} バイト、"
            f"{manifest['vendor']}、{manifest['created_at']})"
        )
