"""Operations: /metrics (scope `admin`) and the problem type pages (/problems/{code})."""
