"""The officer portal: courses, applying, my applications, one application, withdrawing."""
