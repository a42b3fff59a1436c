"""Demo data: a small, believable platform for the quick start and the browser test.

Seeding is idempotent: it does nothing once the demo organisation exists.
"""

from __future__ import annotations

from openi_lab import schemas as s

from .container import Platform
from .pagination import PageRequest
from .principal import Principal

USERS = [
    ("tangl", "唐磊 Tang Lei"),
    ("lihua", "李华 Li Hua"),
    ("zhangw", "张伟 Zhang Wei"),
    ("chenj", "陈静 Chen Jing"),
]
ORGS = [
    ("OpenI", "启智社区 OpenI", "Open source AI collaboration platform", "public"),
    ("MindSpore", "MindSpore", "All-scenario AI framework: models and tutorials", "public"),
    ("vision-lab", "视觉实验室 Vision Lab", "A private research group", "private"),
]
TEAMS = [
    ("OpenI", "core", "Maintainers of the platform", "write", ["tangl", "lihua"]),
    ("OpenI", "reviewers", "Review pull requests", "read", ["zhangw"]),
    ("MindSpore", "model-zoo", "Curate the model zoo", "write", ["chenj"]),
    ("vision-lab", "researchers", "Everyone in the lab", "admin", ["lihua"]),
]
PROJECTS = [
    ("OpenI", "aiforge", "The platform's own code: collaboration, compute, models", "public"),
    ("OpenI", "Yolov5", "YOLOv5 object detection, ready for Ascend NPU training", "public"),
    ("MindSpore", "models", "MindSpore model zoo: ResNet, BERT, Pangu-alpha and more", "public"),
    ("vision-lab", "segmenter", "Semantic segmentation experiments", "private"),
    ("tangl", "bert-zh", "Chinese BERT fine-tuning on CLUE", "public"),
]


async def seed(platform: Platform, username: str) -> bool:
    """Seed around ``username`` (the person at the keyboard); False when already seeded."""
    me = await platform.accounts.ensure_user(username, "王杰 Wang Jie")
    admin = Principal(id=me.id, username=me.username, is_admin=True)
    existing = await platform.accounts.list_orgs(admin, "OpenI", PageRequest(1, 100))
    if any(o.name == "OpenI" for o in existing.items):
        return False
    for name, full in USERS:
        await platform.accounts.ensure_user(name, full)
    for name, full, desc, vis in ORGS:
        await platform.accounts.create_org(
            admin,
            s.OrgCreate(name=name, full_name=full, description=desc, visibility=s.Visibility(vis)),
        )
    for org, team, desc, perm, members in TEAMS:
        await platform.accounts.create_team(
            admin, org, s.TeamCreate(name=team, description=desc, permission=perm)
        )
        for member in members:
            await platform.accounts.add_team_member(admin, org, team, member)
    for org, project, desc, vis in PROJECTS:
        await platform.repos.create(
            admin,
            s.RepoCreate(
                owner=org,
                name=project,
                description=desc,
                visibility=s.Visibility(vis),
                auto_init=True,
                license="apache-2.0",
                gitignore="python",
            ),
        )
    mine = Principal(id=me.id, username=me.username, is_admin=me.is_admin)
    await platform.repos.create(
        mine,
        s.RepoCreate(
            name="mnist-demo",
            description="My first training task on MNIST",
            visibility=s.Visibility.private,
            auto_init=True,
        ),
    )
    await _seed_tracker(platform, admin)
    await platform.releases.create(
        admin,
        "OpenI",
        "Yolov5",
        s.ReleaseCreate(tag="v0.1.0", title="First NPU-ready release", notes="Ascend 910 support"),
    )
    return True


LABELS = [
    ("bug", "#d73a4a", "Something does not work"),
    ("enhancement", "#a2eeef", "A new feature or request"),
    ("npu", "#5319e7", "Ascend NPU related"),
]
ISSUES = [
    ("Out of memory on Ascend-910 at batch size 64", ["bug", "npu"], "tangl", True),
    ("Support PaddlePaddle models in the registry", ["enhancement"], None, False),
    ("Dataset picker: search by file name", ["enhancement"], "lihua", False),
    ("Typo in the README", [], None, True),
]


async def _seed_tracker(platform: Platform, admin: Principal) -> None:
    """Labels, a milestone, issues (one closed) with a comment on OpenI/aiforge."""
    for name, color, desc in LABELS:
        await platform.tracker.create_label(
            admin, "OpenI", "aiforge", s.LabelCreate(name=name, color=color, description=desc)
        )
    await platform.tracker.create_milestone(
        admin, "OpenI", "aiforge", s.MilestoneCreate(title="v1.0", description="First release")
    )
    for title, labels, assignee, in_milestone in ISSUES:
        issue = await platform.tracker.create_issue(
            admin,
            "OpenI",
            "aiforge",
            s.IssueCreate(
                title=title,
                body=f"{title}.\n\nSeen on the demo platform.",
                labels=labels,
                assignees=[assignee] if assignee else [],
                milestone="v1.0" if in_milestone else None,
            ),
        )
        if title.startswith("Typo"):
            await platform.tracker.update_issue(
                admin, "OpenI", "aiforge", str(issue.number), s.IssueUpdate(state="closed")
            )
    await platform.tracker.create_comment(
        admin,
        "OpenI",
        "aiforge",
        "1",
        s.CommentCreate(body="Reproduced with `Ascend: 1 * Ascend-910(32GB)`; see #2 as well."),
    )
