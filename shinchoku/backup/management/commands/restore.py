from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shinchoku.backup.archive import restore_backup
from shinchoku.backup.errors import BackupError


class Command(BaseCommand):
    help = "Restore a backup file into an empty database (--force: replace what is there)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data the database already holds",
        )

    def handle(self, *args, **options):
        try:
            restored = restore_backup(Path(options["file"]), force=options["force"])
        except BackupError as e:
            raise CommandError(str(e)) from None
        manifest = restored.manifest
        self.stdout.write(
            f"バックアップを戻しました: {options['file']}"
            f"({manifest['vendor']}、{manifest['created_at']} 作成、"
            f"版 {manifest['product_version']})"
        )
        for note in restored.notes:
            self.stdout.write(note)
