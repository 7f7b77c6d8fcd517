import streamlit as st

from lib.ui.sidebar import dataset_picker

st.title("Training lab")
dataset_picker()
st.info("This lesson is being written.")
