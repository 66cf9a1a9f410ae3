"""The plan's duties (重点工作任务): the year's plan as data (`plan`), the names it gives units resolved to
registry codes (`names`), the recurring obligations with their due dates (`obligations`), their status
(`status`), the monthly table (`table`) and the year-end 任务完成情况表 (`yearly`). Plans live in
`credit/data/plans/<year>/`; a new year is a new folder, not new code. Nothing here imports Prefect, the flows
or the command line."""
