! The Mandelbrot escape time of a rectangle of pixels, in Fortran: the kind of numerical code
! that already exists and that node_crunch calls as it is. bind(C) gives the subroutine a C name
! and C calling conventions; iso_c_binding's kinds are C's int32_t, int64_t and double.
! Its C++ twin is escape_band_cpp.cpp: the same operations in the same order.
module escape_band_kernel
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t
  implicit none
  private
  public :: escape_band

contains

  ! The escape counts of the cols x rows pixels at (x0, y0) of a width x height picture of
  ! [re_min, re_max] x [im_min, im_max]: pixel (x, y) is c = re_min + x*(re_max-re_min)/width
  ! + i*(im_min + y*(im_max-im_min)/height); z = 0; z = z*z + c until |z|^2 > 4 (the count is
  ! the step n = 0, 1, ... at which that happens) or max_iter steps (the count is max_iter).
  !
  ! counts(i, j) is pixel (x0 + i - 1, y0 + j - 1). Fortran stores the first index fastest, so
  ! in memory this is C's row-major counts[j - 1][i - 1]: C++ passes a plain row-major buffer.
  ! Every expression is parenthesised as C++ evaluates its twin, and a Fortran compiler must
  ! honour parentheses, so both round the same way at every step.
  !
  ! modulus2, if present (C passes a null pointer for "absent"), gets |z|^2 at the last step:
  ! a real number that any difference in rounding would show, where counts rarely do.
  subroutine escape_band(width, height, max_iter, re_min, re_max, im_min, im_max, &
                         x0, y0, cols, rows, counts, modulus2) bind(C, name="nc_escape_band_fortran")
    integer(c_int64_t), value, intent(in) :: width, height, x0, y0, cols, rows
    integer(c_int32_t), value, intent(in) :: max_iter
    real(c_double), value, intent(in) :: re_min, re_max, im_min, im_max
    integer(c_int32_t), intent(out) :: counts(cols, rows)
    real(c_double), intent(out), optional :: modulus2(cols, rows)
    integer(c_int64_t) :: i, j
    integer(c_int32_t) :: n
    real(c_double) :: cr, ci, zr, zi, next_zr, m

    do j = 1, rows
      ci = im_min + ((real(y0 + j - 1, c_double) * (im_max - im_min)) / real(height, c_double))
      do i = 1, cols
        cr = re_min + ((real(x0 + i - 1, c_double) * (re_max - re_min)) / real(width, c_double))
        zr = 0.0_c_double
        zi = 0.0_c_double
        m = 0.0_c_double
        counts(i, j) = max_iter
        do n = 0, max_iter - 1
          next_zr = ((zr * zr) - (zi * zi)) + cr
          zi = ((2.0_c_double * zr) * zi) + ci
          zr = next_zr
          m = (zr * zr) + (zi * zi)
          if (m > 4.0_c_double) then
            counts(i, j) = n
            exit
          end if
        end do
        if (present(modulus2)) modulus2(i, j) = m
      end do
    end do
  end subroutine escape_band

end module escape_band_kernel
