"""python manage.py fail_stale_jobs [--orphaned]: end jobs whose worker is gone."""

from django.core.management.base import BaseCommand

from core.jobs import jobs_fail_orphaned_in_process, jobs_fail_stale


class Command(BaseCommand):
    help = (
        "Fail running jobs without a recent heartbeat; --orphaned also fails all jobs of the embedded runner."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orphaned",
            action="store_true",
            help="embedded mode: fail every queued/running job (the previous process is gone)",
        )

    def handle(self, *args, **options):
        count = jobs_fail_stale()
        if options["orphaned"]:
            count += jobs_fail_orphaned_in_process()
        self.stdout.write(f"{count} job(s) failed")
