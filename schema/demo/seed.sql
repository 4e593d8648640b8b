-- Demo data for `make demo`: one department, two classes of 30 verified
-- students, three verified teachers, four courses, eight subjects and a
-- weekly timetable (every day, periods 1-6).  Idempotent (INSERT IGNORE).

INSERT IGNORE INTO department (department_id, department_name)
VALUES (1, 'Computer Science');

INSERT IGNORE INTO class (class_id, department_id, batch, semester, section)
VALUES (1, 1, '2024', 3, 'A'), (2, 1, '2024', 3, 'B');

INSERT IGNORE INTO teacher (teacher_email, name, designation, department_id, verified)
VALUES ('meera.iyer@demo.ehazira.in', 'Dr. Meera Iyer', 'Professor', 1, TRUE),
       ('arjun.nair@demo.ehazira.in', 'Arjun Nair', 'Assistant Professor', 1, TRUE),
       ('farah.khan@demo.ehazira.in', 'Farah Khan', 'Associate Professor', 1, TRUE);

INSERT IGNORE INTO course (course_id, course_name)
VALUES ('CS301', 'Data Structures'), ('CS302', 'Operating Systems'),
       ('CS303', 'Database Systems'), ('MA301', 'Discrete Mathematics');

INSERT IGNORE INTO subject (subject_id, course_id, class_id, teacher_email) VALUES
  (1, 'CS301', 1, 'meera.iyer@demo.ehazira.in'),
  (2, 'CS302', 1, 'arjun.nair@demo.ehazira.in'),
  (3, 'CS303', 1, 'farah.khan@demo.ehazira.in'),
  (4, 'MA301', 1, 'meera.iyer@demo.ehazira.in'),
  (5, 'CS301', 2, 'meera.iyer@demo.ehazira.in'),
  (6, 'CS302', 2, 'arjun.nair@demo.ehazira.in'),
  (7, 'CS303', 2, 'farah.khan@demo.ehazira.in'),
  (8, 'MA301', 2, 'arjun.nair@demo.ehazira.in');

-- 30 students per class: student01..30 in A, student31..60 in B.
INSERT IGNORE INTO student (student_email, name, roll_no, class_id, verified, joined_on)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
SELECT CONCAT('student', LPAD(i, 2, '0'), '@demo.ehazira.in'),
       CONCAT(ELT(1 + (i - 1) % 20, 'Aarav', 'Diya', 'Ishaan', 'Ananya', 'Kabir',
                  'Saanvi', 'Vihaan', 'Myra', 'Reyansh', 'Aadhya', 'Arjun', 'Kiara',
                  'Vivaan', 'Anika', 'Aditya', 'Pari', 'Sai', 'Navya', 'Rohan', 'Zara'),
              ' ',
              ELT(1 + (i - 1) % 7, 'Sharma', 'Patel', 'Reddy', 'Das', 'Menon',
                  'Singh', 'Qureshi')),
       LPAD(1 + (i - 1) % 30, 2, '0'),
       IF(i <= 30, 1, 2), TRUE, '2026-07-01'
FROM n;

-- Timetable: every day, periods 1-6, the four subjects of each class in turn.
INSERT IGNORE INTO period (subject_id, day_of_week, period_no, start_time, end_time)
WITH RECURSIVE d(day) AS (SELECT 1 UNION ALL SELECT day + 1 FROM d WHERE day < 7),
     p(no) AS (SELECT 1 UNION ALL SELECT no + 1 FROM p WHERE no < 6),
     c(cls) AS (SELECT 1 UNION ALL SELECT 2)
SELECT (cls - 1) * 4 + 1 + (day + no) % 4, day, no,
       SEC_TO_TIME((8 * 60 + (no - 1) * 60) * 60 + 30 * 60),
       SEC_TO_TIME((8 * 60 + (no - 1) * 60) * 60 + 30 * 60 + 50 * 60)
FROM d, p, c;

-- A head of department and an institution administrator for the college
-- dashboard (admin.html; roles: 013_roles_dashboard.sql).
INSERT IGNORE INTO teacher (teacher_email, name, designation, department_id, verified, role)
VALUES ('hod.cs@demo.ehazira.in', 'Prof. Lakshmi Rao', 'Head of Department', 1, TRUE, 'head'),
       ('principal@demo.ehazira.in', 'Dr. S. Kulkarni', 'Principal', 1, TRUE, 'admin');
