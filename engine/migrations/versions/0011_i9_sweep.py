"""user tasks keep their instructions in Hindi too; courses have a Hindi title and prerequisites

Revision ID: i9_sweep
Revises: i8_access
"""

import sqlalchemy as sa
from alembic import op

# The 2019 courses in Hindi, as written when this migration was made (not imported from the
# code, which may change later).
COURSES_2019_HI: dict[str, tuple[str, str]] = {
    "CGP": ("वैश्विक निर्धनता की चुनौतियाँ", "कोई नहीं, यद्यपि व्याख्यानों में कुछ गणित का प्रयोग होता है"),
    "DRRE": ("यादृच्छिक मूल्यांकनों की रूपरेखा और संचालन", "कोई नहीं, यद्यपि व्याख्यानों में कुछ गणित का प्रयोग होता है"),
    "DASS": ("सामाजिक वैज्ञानिकों के लिए डेटा विश्लेषण", "हाई-स्कूल स्तर का कलन (कैलकुलस)"),
    "MICRO": ("व्यष्टि अर्थशास्त्र के सिद्धांत", "प्रारंभिक कलन (कैलकुलस)"),
    "FDP": (
        "विकास नीति की नींव",
        "हाई-स्कूल स्तर का कलन (कैलकुलस); बुनियादी सांख्यिकी या अर्थमिति; प्रारंभिक व्यष्टि अर्थशास्त्र",
    ),
}

revision = "i9_sweep"
down_revision = "i8_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instructions_hi", sa.Text(), nullable=True))
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_hi", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("prerequisites_hi", sa.Text(), nullable=False, server_default=""))
    courses = sa.table(
        "courses", sa.column("code", sa.String), sa.column("title_hi", sa.String), sa.column("prerequisites_hi", sa.Text)
    )
    for code, (title_hi, prerequisites_hi) in COURSES_2019_HI.items():
        op.execute(
            courses.update()
            .where(courses.c.code == code, courses.c.title_hi == "")
            .values(title_hi=title_hi, prerequisites_hi=prerequisites_hi)
        )


def downgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("prerequisites_hi")
        batch_op.drop_column("title_hi")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("instructions_hi")
